"""Platform-neutral core of nhacviec: domain types, deadline rules, plan files, messages, ports."""
