"""Satisfaction surveys (服务评价与满意度测评, T/SSOF 0001-2024 §7; seed 004 4.1.1 会员评价)."""
