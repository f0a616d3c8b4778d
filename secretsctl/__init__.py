"""secretsctl: the operator's tool for app-secrets stacks."""
