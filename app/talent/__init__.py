"""人才库 (T/SSOF 0001-2024 B.2 人才身份管理): the read side over certificates, trainings and CE."""
