"""Restarts after rotation: EventBridge rules start a state machine that redeploys services."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from components.alerting import AlertRule
from components.roles import WorkloadRole, WorkloadRoleArgs
from design.arns import Account
from design.grant_layout import FixedStatements
from design.iam import compact
from design.naming import StackNames
from design.restarts import (
    ServiceRestart,
    restart_definition,
    restart_failure_pattern,
    restart_statements,
    restarted_secrets,
    rotation_succeeded_pattern,
    rule_groups,
    rules_trust,
    start_statements,
    state_machine_trust,
)


@dataclass(frozen=True)
class ServiceRestartsArgs:
    names: StackNames
    """The stack's names: state machine `{prefix}-{env}-restarts`, roles
    `{prefix}-{env}-restarts-sfn` and `-events` under the workload path, rules
    `{prefix}-{env}-rotated-001`, ... Required."""
    account: AwsAccount
    """Where the stack deploys. Required."""
    cluster_name: str
    """The ECS cluster (of the stack's account and region) that runs the services. Required."""
    restarts: Sequence[ServiceRestart]
    """The ECS services to restart and the rotated secrets that restart each; at least one.
    Required."""
    secret_arns: Mapping[str, pulumi.Input[str]]
    """Catalog name -> ARN, for at least every secret of `restarts`. Required."""
    key_arn: pulumi.Input[str]
    """The stack key; the roles are granted nothing of it. Required (by WorkloadRole)."""
    boundary_arn: pulumi.Input[str]
    """The workload boundary both roles carry; it must allow their grants. Required."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of every resource that takes them. Default: none."""


class ServiceRestarts(pulumi.ComponentResource):
    """A new deployment of each ECS service after each successful rotation of a secret it
    receives through `env`, without code of our own.

    Rules on the default bus match `RotationSucceeded` of exactly those secrets and start the
    state machine, which calls UpdateService (forceNewDeployment) through the AWS SDK
    integration. `alert_rule` reports its failed, timed-out and aborted executions; hand it to
    the Alerting component, whose topic policy must name every rule that publishes.
    """

    state_machine_arn: pulumi.Output[str]
    rule_arns: list[pulumi.Output[str]]
    alert_rule: AlertRule

    def __init__(
        self, name: str, args: ServiceRestartsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:restarts:ServiceRestarts", name, None, opts)
        account = args.account.resolved()
        groups = rule_groups(args.names, restarted_secrets(args.restarts))
        state_machine_role = self._role(
            f"{name}-sfn",
            args,
            assumed_by="sfn",
            trust=account.apply(
                lambda resolved: compact(state_machine_trust(resolved, args.names))
            ),
            description="Step Functions: restarts the services that receive a rotated secret",
            statements=lambda resolved, _key: restart_statements(
                resolved, cluster_name=args.cluster_name, restarts=args.restarts
            ),
        )
        rules_role = self._role(
            f"{name}-events",
            args,
            assumed_by="events",
            trust=account.apply(
                lambda resolved: compact(rules_trust(resolved, args.names, rule_count=len(groups)))
            ),
            description="EventBridge: starts the restarts after a rotation",
            statements=lambda resolved, _key: start_statements(resolved, args.names),
        )
        self.state_machine = aws.sfn.StateMachine(
            f"{name}-state-machine",
            name=args.names.restart_state_machine_name,
            type="STANDARD",
            role_arn=state_machine_role.arn,
            definition=self._definition(args, account),
            tags=dict(args.tags),
            # Step Functions checks at creation that it may assume the role.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[state_machine_role]),
        )
        self.state_machine_arn = self.state_machine.arn
        self.rule_arns = [
            self._rule(name, args, number=number, secrets=secrets, role=rules_role)
            for number, secrets in enumerate(groups, start=1)
        ]
        self.alert_rule = AlertRule(
            description=(
                f"A restart after rotation failed: {args.names.restart_state_machine_name}"
            ),
            pattern=self.state_machine_arn.apply(lambda arn: compact(restart_failure_pattern(arn))),
        )
        self.register_outputs(
            {"stateMachineArn": self.state_machine_arn, "ruleArns": self.rule_arns}
        )

    def _role(
        self,
        name: str,
        args: ServiceRestartsArgs,
        *,
        assumed_by: str,
        trust: pulumi.Output[str],
        description: str,
        statements: FixedStatements,
    ) -> WorkloadRole:
        return WorkloadRole(
            name,
            WorkloadRoleArgs(
                role_name=args.names.restart_role_name(assumed_by),
                path=args.names.workload_path,
                description=description,
                trust_policy=trust,
                boundary_arn=args.boundary_arn,
                account=args.account,
                key_arn=args.key_arn,
                fixed_statements=statements,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    @staticmethod
    def _definition(
        args: ServiceRestartsArgs, account: pulumi.Output[Account]
    ) -> pulumi.Output[str]:
        secrets = restarted_secrets(args.restarts)
        arns = [args.secret_arns[secret] for secret in secrets]
        return pulumi.Output.all(account, *arns).apply(
            lambda values: compact(
                restart_definition(
                    values[0],
                    cluster_name=args.cluster_name,
                    restarts=args.restarts,
                    secret_arns=dict(zip(secrets, values[1:], strict=True)),
                )
            )
        )

    def _rule(
        self,
        name: str,
        args: ServiceRestartsArgs,
        *,
        number: int,
        secrets: Sequence[str],
        role: WorkloadRole,
    ) -> pulumi.Output[str]:
        """One rule of at most as many secrets as fit a pattern, and its target."""
        suffix = f"rotated-{number:03d}"
        rule = aws.cloudwatch.EventRule(
            f"{name}-{suffix}",
            name=args.names.restart_rule_name(number),
            description="A rotation succeeded: restart the services that receive the secret",
            event_pattern=pulumi.Output.all(*[args.secret_arns[s] for s in secrets]).apply(
                lambda arns: compact(rotation_succeeded_pattern(arns))
            ),
            state="ENABLED",
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.cloudwatch.EventTarget(
            f"{name}-{suffix}-target",
            rule=rule.name,
            target_id="restart-services",
            arn=self.state_machine.arn,
            role_arn=role.arn,
            # A rotation matched before the role may start the state machine would be lost.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role]),
        )
        return rule.arn
