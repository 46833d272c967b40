# Table 5 "Model E" (paper: 37.05 mIoU, -0.37 vs 37.42 with SAM): RSC
# (SAD + KL) with SLIC superpixels (Achanta et al. 2012) instead of SAM
# segments grouping the rendered pixels of the segment-guided affinity
# loss. Write the superpixels first:
#   python tools/misc/generate_superpixel_segments.py \
#       --root data/nuscenes --out-dir segments_slic
# The info files stay the same: NuScenesOccDataset(segments_dir=...) swaps
# the segment folder.
_base_ = [
    './radocc-rsc_bevdet-occ-r50_bevfusion-occ-r50_24e_occ3d-nus.py'
]

train_dataloader = dict(dataset=dict(segments_dir='segments_slic'))
