// An idiomatic AWS CDK v2 app declaring a generated app-secrets catalog, for bench/side_by_side.py.
//
// Usage: node bench/cdk/app.js CATALOG.json OUTDIR
// Prints one JSON line on success: {"resources": N, "largest_iam_policy": chars}.
//
// Context: the feature flags a fresh `cdk init` writes to cdk.json. aws-cdk-lib 2.276 exposes them
// as aws-cdk-lib/recommended-feature-flags.json (the same object as cx-api's
// CURRENTLY_RECOMMENDED_FLAGS; there is no NEW_PROJECT_CONTEXT in this version).
//
// Resource limit: CDK refuses to synth a stack of more than 500 resources. This app keeps one
// stack (like the one Pulumi stack it is compared with) and sets the documented context key
// `@aws-cdk/core:stackResourceLimit` to 0, which turns CDK's check off. The large templates
// would still hit CloudFormation's own 500-resource quota on deploy; this is a synth benchmark.
"use strict";

const fs = require("fs");
const path = require("path");
const cdk = require("aws-cdk-lib");
const ecs = require("aws-cdk-lib/aws-ecs");
const kms = require("aws-cdk-lib/aws-kms");
const lambda = require("aws-cdk-lib/aws-lambda");
const secretsmanager = require("aws-cdk-lib/aws-secretsmanager");
const recommendedFlags = require("aws-cdk-lib/recommended-feature-flags.json");

const IMAGE = "public.ecr.aws/docker/library/busybox:latest";
const ROTATION_CODE = "def handler(event, context):\n    return None\n";

function secretProps(name, entry, key) {
  const props = { secretName: name, description: entry.description, encryptionKey: key };
  if (entry.generate) {
    props.generateSecretString = { passwordLength: entry.generate.length };
  } else if ("config" in entry) {
    props.secretStringValue = cdk.SecretValue.unsafePlainText(`placeholder-${entry.config}`);
  } else if (entry.fields) {
    props.generateSecretString = fieldsTemplate(name, entry.fields);
  }
  // external: no value; CDK generates one (a benchmark does not care).
  return props;
}

function fieldsTemplate(name, fields) {
  const plain = {};
  const generated = [];
  for (const [field, spec] of Object.entries(fields)) {
    if (spec.generate) generated.push([field, spec.generate]);
    else plain[field] = spec.value;
  }
  if (generated.length !== 1) {
    throw new Error(`${name}: CDK generates exactly one field, not ${generated.length}`);
  }
  const [[field, generate]] = generated;
  return {
    secretStringTemplate: JSON.stringify(plain),
    generateStringKey: field,
    passwordLength: generate.length,
  };
}

function declareSecrets(stack, catalog) {
  const key = new kms.Key(stack, "SecretsKey", {
    enableKeyRotation: true,
    description: "Encrypts the app secrets",
  });
  let rotationLambda;
  const secrets = {};
  for (const [name, entry] of Object.entries(catalog.secrets)) {
    const secret = new secretsmanager.Secret(stack, name, secretProps(name, entry, key));
    if (entry.rotation) {
      rotationLambda ??= new lambda.Function(stack, "RotationFunction", {
        runtime: lambda.Runtime.PYTHON_3_13,
        handler: "index.handler",
        code: lambda.Code.fromInline(ROTATION_CODE),
      });
      secret.addRotationSchedule("Rotation", {
        rotationLambda,
        automaticallyAfter: cdk.Duration.days(entry.rotation.every_days),
      });
    }
    secrets[name] = secret;
  }
  return secrets;
}

function declareService(stack, name, service, secrets) {
  const taskDefinition = new ecs.FargateTaskDefinition(stack, `${name}-task`);
  const containerSecrets = {};
  for (const [variable, reference] of Object.entries(service.env || {})) {
    const [secretName, field] = reference.split(":");
    containerSecrets[variable] = ecs.Secret.fromSecretsManager(secrets[secretName], field);
  }
  taskDefinition.addContainer("app", {
    image: ecs.ContainerImage.fromRegistry(IMAGE),
    secrets: containerSecrets,
  });
  for (const secretName of service.runtime_read || []) {
    secrets[secretName].grantRead(taskDefinition.taskRole);
  }
}

function policyDocuments(resource) {
  const props = resource.Properties || {};
  if (resource.Type === "AWS::IAM::Policy" || resource.Type === "AWS::IAM::ManagedPolicy") {
    return [props.PolicyDocument];
  }
  if (resource.Type === "AWS::IAM::Role") {
    return (props.Policies || []).map((policy) => policy.PolicyDocument);
  }
  return [];
}

function measure(assembly) {
  let resources = 0;
  let largest = 0;
  for (const artifact of assembly.stacks) {
    const template = JSON.parse(fs.readFileSync(artifact.templateFullPath, "utf-8"));
    for (const resource of Object.values(template.Resources || {})) {
      resources += 1;
      for (const document of policyDocuments(resource)) {
        largest = Math.max(largest, JSON.stringify(document).length);
      }
    }
  }
  return { resources, largest_iam_policy: largest };
}

function main([catalogPath, outdir]) {
  if (!catalogPath || !outdir) {
    throw new Error("usage: node app.js CATALOG.json OUTDIR");
  }
  const catalog = JSON.parse(fs.readFileSync(catalogPath, "utf-8"));
  const app = new cdk.App({
    outdir: path.resolve(outdir),
    context: { ...recommendedFlags, [cdk.STACK_RESOURCE_LIMIT_CONTEXT]: 0 },
  });
  const stack = new cdk.Stack(app, "AppSecretsBench");
  // CloudFormation Validate (on by default, an error with the recommended flags) checks the same
  // 500-resource quota; acknowledge it, as CDK's own report tells you to.
  cdk.Validations.of(stack).acknowledge({
    id: "CloudFormation-Validate::F0007",
    reason: "synth benchmark: one stack like the Pulumi stack it is compared with",
  });
  const secrets = declareSecrets(stack, catalog);
  for (const [name, service] of Object.entries(catalog.services)) {
    declareService(stack, name, service, secrets);
  }
  const assembly = app.synth();
  process.stdout.write(`${JSON.stringify(measure(assembly))}\n`);
}

main(process.argv.slice(2));
