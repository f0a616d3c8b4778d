"""The offline stand-in for AWS's semantics: the IAM evaluator and the EventBridge matcher."""
