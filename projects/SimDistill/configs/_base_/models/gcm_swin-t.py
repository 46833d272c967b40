# SimDistill's geometry compensation modules (Table 3 rows d, g). GC_bev as
# the public code's BEV GCM: one residual deformable self-attention layer
# on the 180 x 180 x 80 simulated-LiDAR BEV, 8 heads, 20 points, learned
# row / column embeddings. GC_uv (not in the public code; the paper gives no
# setting) the same on each camera's 32 x 88 x 256 image features with 4
# points per head.
uv_gcm = dict(type='GeometryCompensation',
              embed_dims=256,
              num_heads=8,
              num_points=4,
              max_shape=(32, 88))
bev_gcm = dict(type='GeometryCompensation',
               embed_dims=80,
               num_heads=8,
               num_points=20,
               max_shape=(180, 180))
