#!/usr/bin/env python3
"""Prepare a moto server to play AWS for afp's integration tests.

Creates the IAM user afp-base with a policy allowing sts:* and ecr:*, one
access key for it (written as an afp secrets.conf, mode 0600, never to
stdout) and the roles named on the command line, each trusting afp-base.

moto counts requests until INITIAL_NO_AUTH_ACTION_COUNT is reached and then
checks SigV4 signatures and IAM policies on every request. The tests start
moto with that count set to the number of calls made here, so this script
makes a fixed sequence of calls (5 + two per role), prints how many it made,
and with --count-only prints the number without calling anything.

What moto 5.2.1 does once authentication is on (checked by tests/moto.test.sh):
- A request signed with a wrong secret gets 403 SignatureDoesNotMatch; an
  unknown access key id gets 403 InvalidClientTokenId.
- An unsigned request gets HTTP 500 (moto reads the missing Authorization
  header and fails), not 403 MissingAuthenticationToken as AWS would.
- AssumeRole credentials work: GetCallerIdentity answers
  arn:aws:sts::123456789012:assumed-role/<role>/<session>. A tampered session
  token gets InvalidClientTokenId.
- GetCallerIdentity is always allowed (moto skips the policy check for it),
  so an assumed role needs no policy for it; any other action by that role,
  e.g. AssumeRole, is AccessDenied unless the role has a policy.
- AssumeRole checks the trust policy only when the role exists in moto's IAM,
  and then compares principals literally: "arn:aws:iam::<id>:user/afp-base"
  or "*" match, the account id or ":root" do not. A role that does not
  exist can be assumed by anyone allowed sts:AssumeRole.
- Plain moto's GetFederationToken and GetSessionToken return fixed example
  credentials (AKIAIOSFODNN7EXAMPLE) that it does not record, so with
  authentication on every request made with them gets InvalidClientTokenId.
  The tests therefore run moto through tests/moto_server.py, which issues
  real temporary keys for both: GetCallerIdentity then answers
  arn:aws:sts::123456789012:federated-user/<name> and the calling user's ARN
  (arn:aws:iam::123456789012:user/afp-base), as AWS does.
- moto's default account is 123456789012.
"""

import argparse
import json
import os
import sys

ACCOUNT_ID = "123456789012"
USER = "afp-base"
FIXED_CALLS = 5  # create_user, create_policy x2, attach_user_policy, create_access_key


def write_secrets(path, key_id, secret):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[source]\n")
        f.write("access_key_id     = %s\n" % key_id)
        f.write("secret_access_key = %s\n" % secret)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", help="moto URL, e.g. http://127.0.0.1:5000")
    ap.add_argument("--secrets", help="where to write the afp-base key (secrets.conf format)")
    ap.add_argument("--role", action="append", default=[], help="role name to create (repeatable)")
    ap.add_argument("--count-only", action="store_true", help="print the number of calls and exit")
    args = ap.parse_args()

    if args.count_only:
        print(FIXED_CALLS + 2 * len(args.role))
        return 0
    if not args.endpoint or not args.secrets:
        ap.error("--endpoint and --secrets are required")

    import boto3
    from botocore.config import Config

    # moto accepts anything before authentication is switched on; these
    # placeholder keys only satisfy botocore's signer.
    iam = boto3.client(
        "iam",
        endpoint_url=args.endpoint,
        region_name="us-east-1",
        aws_access_key_id="setup",
        aws_secret_access_key="setup",
        config=Config(retries={"max_attempts": 1}),
    )
    sent = [0]

    def count(**kwargs):
        sent[0] += 1

    # Count HTTP requests, not API calls: moto counts what reaches it.
    iam.meta.events.register("before-send", count)

    iam.create_user(UserName=USER)
    policy = iam.create_policy(
        PolicyName="afp-base-all",
        PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["sts:*", "ecr:*"], "Resource": "*"}],
        }),
    )
    iam.attach_user_policy(UserName=USER, PolicyArn=policy["Policy"]["Arn"])
    # Roles may fetch ECR tokens (afp's refresher does, with the role's
    # own credentials), nothing else.
    ecr_policy = iam.create_policy(
        PolicyName="afp-role-ecr",
        PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}],
        }),
    )
    key = iam.create_access_key(UserName=USER)["AccessKey"]
    write_secrets(args.secrets, key["AccessKeyId"], key["SecretAccessKey"])
    trust = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::%s:user/%s" % (ACCOUNT_ID, USER)},
            "Action": "sts:AssumeRole",
        }],
    })
    for role in args.role:
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
        iam.attach_role_policy(RoleName=role, PolicyArn=ecr_policy["Policy"]["Arn"])
    print(sent[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
