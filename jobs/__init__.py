"""When things happen: the scheduler, evidence nudges, campaigns and the paced sender."""
