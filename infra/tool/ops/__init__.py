"""Operations against live AWS accounts with boto3: state-backend bootstrap, post-deploy checks."""
