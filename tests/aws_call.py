#!/usr/bin/env python3
"""Call STS with the credentials in the environment, for afp's tests.

usage: aws_call.py ENDPOINT identity
       aws_call.py ENDPOINT assume-role ROLE_ARN SESSION_NAME
       aws_call.py ENDPOINT federation-token NAME
       aws_call.py ENDPOINT session-token

Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_SESSION_TOKEN (nothing else: no profile, no metadata service).

identity prints the caller's Arn. The other actions print the issued
credentials as JSON in the shape afp.cgi answers with
({"access_key", "secret_key", "session_token", "expiration", "arn"}), so
the caller must capture stdout to a private file, never show it.

An AWS error prints "error <Code>" on stdout and exits 2, so tests can
assert on the code; anything else exits 3 with a message on stderr.
"""

import json
import os
import sys


def credentials_json(creds, arn):
    return json.dumps({
        "access_key": creds["AccessKeyId"],
        "secret_key": creds["SecretAccessKey"],
        "session_token": creds["SessionToken"],
        "expiration": creds["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "arn": arn,
    })


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 3
    endpoint, action, rest = argv[1], argv[2], argv[3:]

    import boto3
    import botocore.exceptions
    from botocore.config import Config

    key_id = os.environ.get("AWS_ACCESS_KEY_ID", "")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
    token = os.environ.get("AWS_SESSION_TOKEN") or None
    if not key_id or not secret:
        sys.stderr.write("aws_call.py: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set\n")
        return 3
    sts = boto3.session.Session().client(
        "sts",
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1}),
    )
    try:
        if action == "identity" and not rest:
            print(sts.get_caller_identity()["Arn"])
        elif action == "assume-role" and len(rest) == 2:
            r = sts.assume_role(RoleArn=rest[0], RoleSessionName=rest[1])
            print(credentials_json(r["Credentials"], r["AssumedRoleUser"]["Arn"]))
        elif action == "federation-token" and len(rest) == 1:
            r = sts.get_federation_token(Name=rest[0])
            print(credentials_json(r["Credentials"], r["FederatedUser"]["Arn"]))
        elif action == "session-token" and not rest:
            r = sts.get_session_token()
            print(credentials_json(r["Credentials"], None))
        else:
            sys.stderr.write(__doc__)
            return 3
    except botocore.exceptions.ClientError as e:
        print("error %s" % e.response.get("Error", {}).get("Code", "unknown"))
        return 2
    except botocore.exceptions.BotoCoreError as e:
        sys.stderr.write("aws_call.py: %s\n" % e)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
