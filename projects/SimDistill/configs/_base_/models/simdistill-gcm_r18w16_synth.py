# The full simulated multi-modal student at demo scale (Table 3 rows d, g):
# simdistill_r18w16_synth.py with geometry compensation in the image plane
# (GC_uv) and in BEV (GC_bev), see gcm_synth.py.
_base_ = ['./simdistill_r18w16_synth.py', './gcm_synth.py']
model = dict(uv_gcm={{_base_.uv_gcm}}, bev_gcm={{_base_.bev_gcm}})
