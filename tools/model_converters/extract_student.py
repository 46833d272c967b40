"""Distiller checkpoint -> student-only checkpoint.

    python tools/model_converters/extract_student.py DISTILLER_CKPT OUT_CKPT

The output loads with the student's own config, e.g.
``python tools/test.py STUDENT_CONFIG OUT_CKPT``.  ``--model teacher``
extracts the teacher instead (e.g. an EMA teacher).
"""
import argparse

from crossdistill.distillers.export import extract_submodel_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('src', help='distiller checkpoint')
    parser.add_argument('dst', help='output checkpoint')
    parser.add_argument('--model', choices=['student', 'teacher'],
                        default='student', help='which model to extract')
    args = parser.parse_args()
    count = extract_submodel_file(args.src, args.dst, args.model)
    print(f'Wrote {count} {args.model} tensors to {args.dst}')


if __name__ == '__main__':
    main()
