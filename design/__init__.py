"""Pure decisions: names, ARNs, IAM documents, policies, rotation profiles (no pulumi import)."""

from design.arns import Account
from design.naming import StackNames
from design.stack_inputs import Mode, StackInputs, load_stack_inputs

__all__ = ["Account", "Mode", "StackInputs", "StackNames", "load_stack_inputs"]
