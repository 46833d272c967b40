# simdistill-distiller_synth.py with the full student: geometry
# compensation GC_uv and GC_bev (see ../models/gcm_synth.py).
_base_ = ['./simdistill-distiller_synth.py', '../models/gcm_synth.py']
model = dict(student=dict(uv_gcm={{_base_.uv_gcm}},
                          bev_gcm={{_base_.bev_gcm}}))
