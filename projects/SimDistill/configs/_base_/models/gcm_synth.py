# The geometry compensation modules at demo scale (Table 3 rows d, g): one
# residual deformable self-attention layer each, 4 heads of 8 channels and
# 8 points per head (the public code's BEV GCM: 1 layer, 8 heads, 20 points
# on 80 channels; scaled down with the channels). GC_uv runs on each
# camera's 16 x 44 x 32 image features, GC_bev on the 128 x 128 x 32
# simulated-LiDAR BEV before the adapter.
uv_gcm = dict(type='GeometryCompensation',
              embed_dims=32,
              num_heads=4,
              num_points=8,
              max_shape=(16, 44))
bev_gcm = dict(type='GeometryCompensation',
               embed_dims=32,
               num_heads=4,
               num_points=8,
               max_shape=(128, 128))
