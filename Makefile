# The two commands of the README: `make demo` (install, build, screen the bundled examples)
# and `make test` (install, run the test suite). CI runs `make test` (.ci/run).
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin
PREFIX ?= /usr/local

.PHONY: deps build demo test install clean

deps:
	@./scripts/install-deps.sh

build: deps
	swift build -c release

# Screens Corpus/examples with the bundled lexicons; exit 0 (flagged) or 1 (clean) is success.
demo: build
	@echo "== netra scan Corpus/examples/*.jsonl (flagged records, text format) =="
	@./.build/release/netra scan --stats --format text Corpus/examples/*.jsonl; status=$$?; \
	  echo "== exit status $$status (0: something flagged, 1: nothing, 2: error, 3: incomplete) =="; \
	  [ $$status -le 1 ]

test: deps
	swift test

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/netra
	install -m 755 .build/release/netra $(DESTDIR)$(PREFIX)/bin/netra
	cp -R Lexicons $(DESTDIR)$(PREFIX)/share/netra/

clean:
	rm -rf .build
