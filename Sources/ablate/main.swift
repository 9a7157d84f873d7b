import Runner
print("ablate")
