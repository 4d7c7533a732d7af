"""职业培训 (each standard's 1.8): programs, classes, attendance, completion and 结业证书; staff
qualifications (资格) that 1.8.2 judges trainers by."""
