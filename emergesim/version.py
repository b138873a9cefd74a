"""The installed version, read from the package metadata (importlib.metadata is slow to
import, so only ``emergesim --version`` and ``emergesim.__version__`` pay for it)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("emergesim")
except PackageNotFoundError:  # a checkout that was never installed
    __version__ = "0+unknown"
