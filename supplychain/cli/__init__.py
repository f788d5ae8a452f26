"""The `supplychain` command line: a module per group of commands, registered in main."""
