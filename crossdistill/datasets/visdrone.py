"""VisDrone2019-DET in the COCO json that ``tools/create_data.py visdrone``
writes (see :mod:`crossdistill.datasets.converters.visdrone` for the category
ids and how ignored regions and ``others`` are carried over)."""
from mmdet.datasets import CocoDataset
from mmengine.fileio import exists

from crossdistill.registry import DATASETS
from .converters.visdrone import VISDRONE_CLASSES


@DATASETS.register_module()
class VisDroneDataset(CocoDataset):
    """The 10 evaluated VisDrone classes; label i is COCO category i + 1.

    Ignored regions come as ``iscrowd=1`` boxes, which mmdet loads as
    ``ignored_instances`` (``gt_ignore_flags``) and CocoMetric ignores.
    """

    METAINFO = dict(
        classes=VISDRONE_CLASSES,
        palette=[(220, 20, 60), (255, 127, 80), (119, 11, 32), (0, 0, 142),
                 (0, 80, 100), (0, 0, 70), (250, 170, 30), (255, 221, 0),
                 (0, 60, 100), (0, 0, 230)])

    def parse_data_info(self, raw_data_info: dict) -> dict:
        """CocoDataset's parsing, plus the image's ``ignore_regions``
        ([x, y, w, h] lists) for an exact VisDrone-protocol evaluation."""
        data_info = super().parse_data_info(raw_data_info)
        data_info['ignore_regions'] = raw_data_info['raw_img_info'].get(
            'ignore_regions', [])
        return data_info

    def load_data_list(self) -> list:
        if not exists(self.ann_file, backend_args=self.backend_args):
            raise FileNotFoundError(
                f'{self.ann_file} not found. Convert the VisDrone txt '
                'annotations first: python tools/create_data.py visdrone '
                f'--root {self.data_root or "<VisDrone root>"}')
        return super().load_data_list()
