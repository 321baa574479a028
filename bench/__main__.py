"""`python -m bench`: run every row, print the table, write bench/results.json."""

import sys

from bench.run import main

sys.exit(main())
