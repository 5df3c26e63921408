"""`python -m cli` runs the yeongye command."""
from cli import main

main()
