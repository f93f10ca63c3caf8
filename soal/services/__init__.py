"""What the question bank does. Views, admin, importers, tasks and tests all go through here."""
