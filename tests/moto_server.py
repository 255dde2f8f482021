"""moto's server with the one thing afp's tests need and moto 5 lacks.

moto hands out fixed example keys from GetFederationToken and
GetSessionToken and does not know them afterwards, so with signature
checks on (INITIAL_NO_AUTH_ACTION_COUNT) a call made with them fails.
This launcher makes both actions issue real temporary keys that moto's
own authentication knows (the way it tracks AssumeRole keys), so moto
itself verifies every signature made with them, and GetCallerIdentity
names the federated user or the calling IAM user as AWS does. Everything
else is moto unchanged.

Usage: python3 tests/moto_server.py [moto.server arguments...]
"""
import sys
import time

from moto import server
from moto.ecr import responses as ecr_responses
from moto.iam.models import iam_backends
from moto.sts import models, responses
from moto.core.responses import ActionResult


class IssuedToken(models.AssumedRole):
    """Credentials of GetFederationToken/GetSessionToken, known to auth."""

    # moto's model registry names a model's service after its module.
    __module__ = "moto.sts.models"

    def __init__(self, backend, duration, arn, user_id):
        iam = iam_backends[backend.account_id][backend.partition]
        super().__init__(
            account_id=backend.account_id,
            region_name=backend.region_name,
            access_key=iam.create_temp_access_key(),
            role_session_name=arn.rsplit("/", 1)[-1],
            role_arn=arn,
            policy=None,
            duration=duration,
            external_id=None,
        )
        self._arn = arn
        self._user_id = user_id

    @property
    def arn(self):
        return self._arn

    @property
    def user_id(self):
        return self._user_id


def _credentials(token):
    return {
        "AccessKeyId": token.access_key_id,
        "SecretAccessKey": token.secret_access_key,
        "SessionToken": token.session_token,
        "Expiration": token.expiration,
    }


def get_federation_token(self):
    backend = self.backend
    name = self._get_param("Name")
    duration = self._get_int_param("DurationSeconds", 43200)
    arn = f"arn:{self.partition}:sts::{self.current_account}:federated-user/{name}"
    token = IssuedToken(backend, duration, arn, f"{self.current_account}:{name}")
    backend.assumed_roles.append(token)
    return ActionResult({
        "Credentials": _credentials(token),
        "FederatedUser": {"FederatedUserId": token.user_id, "Arn": arn},
        "PackedPolicySize": 6,
    })


def get_session_token(self):
    backend = self.backend
    iam = iam_backends[backend.account_id][backend.partition]
    user = iam.get_user_from_access_key_id(self.get_access_key())
    if user is None:
        raise responses.STSValidationError(
            "GetSessionToken needs long-term IAM user credentials")
    duration = self._get_int_param("DurationSeconds", 43200)
    token = IssuedToken(backend, duration, user.arn, user.id)
    backend.assumed_roles.append(token)
    return ActionResult({"Credentials": _credentials(token)})


_ecr_get_authorization_token = ecr_responses.ECRResponse.get_authorization_token


def ecr_get_authorization_token(self):
    """moto's ECR tokens expired in 2015; AWS's are valid for 12 hours."""
    result = _ecr_get_authorization_token(self)
    for data in result.result["authorizationData"]:
        data["expiresAt"] = time.time() + 12 * 3600
    return result


ecr_responses.ECRResponse.get_authorization_token = ecr_get_authorization_token
responses.TokenResponse.get_federation_token = get_federation_token
responses.TokenResponse.get_session_token = get_session_token

if __name__ == "__main__":
    server.main(sys.argv[1:])
