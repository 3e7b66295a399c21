"""The NiceGUI dashboard (installed as ``openalpha.ui``)."""
