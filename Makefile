# Shortcuts for the scripts in scripts/ (which work without make).
.PHONY: demo test build doctor

demo:
	scripts/demo

test:
	scripts/test

build:
	swift build -c release --product ablate

doctor: build
	.build/release/ablate doctor
