from etude.cli import main

main()
