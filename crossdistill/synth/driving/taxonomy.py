"""Class vocabularies of the synthetic driving world.

The nuScenes v1.0 category list (with the lidarseg ``index`` that the
published ``category.json`` carries), the eight nuScenes attributes, the four
visibility bins and the 18 Occ3D-nuScenes occupancy classes, plus the map from
a nuScenes category to its Occ3D class.  Descriptions are our own wording.
"""
from typing import Dict, List, Tuple

# (name, description); the position in this list is the lidarseg index.
NUSCENES_CATEGORIES: List[Tuple[str, str]] = [
    ('noise', 'Points without a reliable label.'),
    ('animal', 'Any animal.'),
    ('human.pedestrian.adult', 'An adult pedestrian.'),
    ('human.pedestrian.child', 'A child pedestrian.'),
    ('human.pedestrian.construction_worker', 'A person working on a site.'),
    ('human.pedestrian.personal_mobility', 'A person on a scooter or board.'),
    ('human.pedestrian.police_officer', 'A police officer.'),
    ('human.pedestrian.stroller', 'A stroller.'),
    ('human.pedestrian.wheelchair', 'A wheelchair.'),
    ('movable_object.barrier', 'A temporary road barrier.'),
    ('movable_object.debris', 'Debris on the road.'),
    ('movable_object.pushable_pullable', 'A bin, cart or similar object.'),
    ('movable_object.trafficcone', 'A traffic cone.'),
    ('static_object.bicycle_rack', 'A rack for parking bicycles.'),
    ('vehicle.bicycle', 'A bicycle, with or without rider.'),
    ('vehicle.bus.bendy', 'An articulated bus.'),
    ('vehicle.bus.rigid', 'A rigid bus.'),
    ('vehicle.car', 'A passenger car, van or SUV.'),
    ('vehicle.construction', 'A construction vehicle.'),
    ('vehicle.emergency.ambulance', 'An ambulance.'),
    ('vehicle.emergency.police', 'A police vehicle.'),
    ('vehicle.motorcycle', 'A motorcycle or scooter, with or without rider.'),
    ('vehicle.trailer', 'A trailer.'),
    ('vehicle.truck', 'A truck.'),
    ('flat.driveable_surface', 'Road surface.'),
    ('flat.other', 'Other flat ground, e.g. traffic islands, driveways.'),
    ('flat.sidewalk', 'Sidewalk.'),
    ('flat.terrain', 'Grass, soil and other natural ground.'),
    ('static.manmade', 'Buildings, poles and other structures.'),
    ('static.other', 'Other static background.'),
    ('static.vegetation', 'Trees, bushes and hedges.'),
    ('vehicle.ego', 'The ego vehicle.'),
]

NUSCENES_ATTRIBUTES: List[Tuple[str, str]] = [
    ('vehicle.moving', 'Vehicle is moving.'),
    ('vehicle.stopped', 'Vehicle with driver is stopped, e.g. at a stop.'),
    ('vehicle.parked', 'Vehicle is parked without driver.'),
    ('cycle.with_rider', 'There is a rider on the cycle.'),
    ('cycle.without_rider', 'There is no rider on the cycle.'),
    ('pedestrian.sitting_lying_down', 'The pedestrian sits or lies down.'),
    ('pedestrian.standing', 'The pedestrian is standing.'),
    ('pedestrian.moving', 'The pedestrian is walking.'),
]

# (token, level, description): the published visibility table.
NUSCENES_VISIBILITY: List[Tuple[str, str, str]] = [
    ('1', 'v0-40', 'visibility of whole object is between 0 and 40%'),
    ('2', 'v40-60', 'visibility of whole object is between 40 and 60%'),
    ('3', 'v60-80', 'visibility of whole object is between 60 and 80%'),
    ('4', 'v80-100', 'visibility of whole object is between 80 and 100%'),
]

OCC3D_CLASSES: Tuple[str, ...] = (
    'others', 'barrier', 'bicycle', 'bus', 'car', 'construction_vehicle',
    'motorcycle', 'pedestrian', 'traffic_cone', 'trailer', 'truck',
    'driveable_surface', 'other_flat', 'sidewalk', 'terrain', 'manmade',
    'vegetation', 'free')
OCC = {name: i for i, name in enumerate(OCC3D_CLASSES)}
FREE = OCC['free']

# nuScenes category of an annotated object -> Occ3D class.
CATEGORY_TO_OCC: Dict[str, int] = {
    'human.pedestrian.adult': OCC['pedestrian'],
    'human.pedestrian.child': OCC['pedestrian'],
    'human.pedestrian.construction_worker': OCC['pedestrian'],
    'movable_object.barrier': OCC['barrier'],
    'movable_object.pushable_pullable': OCC['others'],
    'movable_object.trafficcone': OCC['traffic_cone'],
    'vehicle.bicycle': OCC['bicycle'],
    'vehicle.bus.rigid': OCC['bus'],
    'vehicle.car': OCC['car'],
    'vehicle.construction': OCC['construction_vehicle'],
    'vehicle.motorcycle': OCC['motorcycle'],
    'vehicle.trailer': OCC['trailer'],
    'vehicle.truck': OCC['truck'],
}
