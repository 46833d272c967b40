# The Swin-B image backbone of RadOcc's headline setting (Table 1: student,
# teacher camera branch and BEVDet† all "Swin-B"), shared by
# bevdet-occ_swin-b.py and bevfusion-occ_swin-b.py (one definition, so that
# student and teacher camera branches cannot drift apart).
#
# Window 12 with the official ImageNet-22K Swin-B checkpoint (patch 4,
# window 12, 384 px): the window the checkpoint was trained with, so its
# relative-position bias tables load as they are (mmdet would otherwise
# interpolate them), and the window of BEVDet-Occ's public Swin-B config
# (bevdet-occ-stbase-4d-stereo-512x1408-24e.py, the "BEVDet†" of Table 1),
# which RadOcc follows ("we follow the BEVDet setting"). On 256 x 704
# inputs the lifted stages 3 / 4 have 16 x 44 / 8 x 22 tokens; 12 x 12
# windows see 144 tokens each (7 x 7: 49), i.e. the full height of stage 4.
# convert_weights: the checkpoint uses the official Swin key names.
# Stages 3 and 4 (512 and 1024 channels, strides 16 and 32) feed the FPN.
swin_b_pretrained = 'https://github.com/SwinTransformer/storage/releases/download/v1.0.0/swin_base_patch4_window12_384_22k.pth'  # noqa
swin_b_backbone = dict(
    _delete_=True,
    type='mmdet.SwinTransformer',
    pretrain_img_size=384,
    embed_dims=128,
    patch_size=4,
    window_size=12,
    mlp_ratio=4,
    depths=[2, 2, 18, 2],
    num_heads=[4, 8, 16, 32],
    strides=(4, 2, 2, 2),
    out_indices=(2, 3),
    qkv_bias=True,
    qk_scale=None,
    patch_norm=True,
    drop_rate=0.0,
    attn_drop_rate=0.0,
    drop_path_rate=0.1,
    use_abs_pos_embed=False,
    act_cfg=dict(type='GELU'),
    norm_cfg=dict(type='LN', requires_grad=True),
    with_cp=False,
    convert_weights=True,
    init_cfg=dict(type='Pretrained', checkpoint=swin_b_pretrained))
swin_b_out_channels = [512, 1024]
