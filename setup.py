import os.path as osp

from setuptools import find_packages, setup


def read_requirements(name: str):
    path = osp.join(osp.dirname(__file__), 'requirements', name)
    with open(path) as f:
        return [
            line.split('#')[0].strip() for line in f
            if line.split('#')[0].strip()
        ]


def read_version() -> str:
    namespace: dict = {}
    with open(osp.join('crossdistill', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='crossdistill',
    version=read_version(),
    description='Cross-modal and cross-scale knowledge distillation for '
    'perception, an OpenMMLab plugin codebase',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'projects')),
    python_requires='>=3.8',
    license='Apache License 2.0',
    install_requires=read_requirements('runtime.txt'),
    extras_require=dict(
        mim=read_requirements('mminstall.txt'),
        tests=read_requirements('tests.txt'),
        optional=read_requirements('optional.txt')),
    zip_safe=False)
