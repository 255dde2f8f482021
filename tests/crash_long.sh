#!/bin/sh
# The long version of tests/crash.test.sh (`make crash`): 200 kill -9
# rounds, and 10 reader loops of at least 100 requests each during 30
# forced runs. Any AFP_CRASH_* set in the environment wins; AFP_CRASH_SEED
# repeats a run's kill times.
AFP_CRASH_ROUNDS=${AFP_CRASH_ROUNDS:-200}
AFP_CRASH_READERS=${AFP_CRASH_READERS:-10}
AFP_CRASH_REQUESTS=${AFP_CRASH_REQUESTS:-100}
AFP_CRASH_RUNS=${AFP_CRASH_RUNS:-30}
export AFP_CRASH_ROUNDS AFP_CRASH_READERS AFP_CRASH_REQUESTS AFP_CRASH_RUNS
exec sh "$(dirname "$0")/crash.test.sh"
