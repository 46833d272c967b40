# simdistill-distiller_swin-t.py with the full student: geometry
# compensation GC_uv and GC_bev (see ../models/gcm_swin-t.py).
_base_ = ['./simdistill-distiller_swin-t.py', '../models/gcm_swin-t.py']
model = dict(student=dict(uv_gcm={{_base_.uv_gcm}},
                          bev_gcm={{_base_.bev_gcm}}))
