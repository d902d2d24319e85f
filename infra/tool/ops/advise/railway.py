def read(context):
    return [], []
