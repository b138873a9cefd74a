"""Studies: figures drawn from the models, and the numbers behind each, apart from the models.

Each module computes its numbers (functions returning plain data) apart from drawing them, and
registers a :class:`~emergesim.study.Study` in the entry point group ``emergesim.studies``, which
``emergesim figures NAME --out DIR`` reads.
"""
