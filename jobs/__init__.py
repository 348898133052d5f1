"""When things happen: the scheduler, the reminder engine, campaigns and the paced sender."""
