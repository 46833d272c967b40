# Table 5 "Model E": RSC (SAD + KL) with SLIC superpixels (Achanta et al.
# 2012) instead of SAM segments grouping the rendered pixels of the
# segment-guided affinity loss. Paper (Occ3D, BEVDet-R50): 37.05 mIoU with
# superpixels vs 37.42 with SAM (-0.37). Write the superpixels first:
#   python tools/misc/generate_superpixel_segments.py \
#       --root data/synth-nuscenes --out-dir segments_slic
# The info files stay the same: NuScenesOccDataset(segments_dir=...) swaps
# the segment folder.
_base_ = [
    './radocc-rsc_bevdet-occ-r18w16_bevfusion-occ-r18w16_'
    '6e_synth-nus-occ3d.py'
]

train_dataloader = dict(dataset=dict(segments_dir='segments_slic'))
