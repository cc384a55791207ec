print("mri-daps")
