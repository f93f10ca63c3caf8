"""What the ujian app does; views, tasks, the admin and tests all call these functions."""
