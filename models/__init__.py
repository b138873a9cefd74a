"""Built-in emergesim models (installed as ``emergesim.models``)."""
