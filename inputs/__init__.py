"""The edge: the catalog and the stack file, parsed and validated once (never imports pulumi)."""

from inputs.catalog import Catalog, SecretSpec, ServiceSpec
from inputs.catalog_reader import load_catalog, read_catalog
from inputs.exceptions import InputError
from inputs.stack_settings import StackSettings, parse_settings
from inputs.stackfile import StackConfig, StackFile, read_stack_file

__all__ = [
    "Catalog",
    "InputError",
    "SecretSpec",
    "ServiceSpec",
    "StackConfig",
    "StackFile",
    "StackSettings",
    "load_catalog",
    "parse_settings",
    "read_catalog",
    "read_stack_file",
]
