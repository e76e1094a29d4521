# The two commands of the README: `make demo` (install, build, screen the bundled examples)
# and `make test` (install, run the test suite). CI runs `make test` (.ci/run).
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin
PREFIX ?= /usr/local

.PHONY: deps deps-build build demo test install clean clean-modules

# Everything the tests need (also Java and pyspark for the Spark test, when they can be had).
deps:
	@./scripts/install-deps.sh

# What building and running need.
deps-build:
	@NETRA_SKIP_SPARK=1 ./scripts/install-deps.sh

build: deps-build
	swift build -c release

# Screens Corpus/examples with the bundled lexicons; exit 0 (flagged) or 1 (clean) is success.
demo: build
	@echo "== netra scan Corpus/examples/*.jsonl (flagged records, text format) =="
	@./.build/release/netra scan --stats --format text Corpus/examples/*.jsonl; status=$$?; \
	  echo "== exit status $$status (0: something flagged, 1: nothing, 2: error, 3: incomplete) =="; \
	  [ $$status -le 1 ]
	@echo "== netra batch over Corpus/examples into .build/demo/store.sqlite, report in .build/demo/report =="
	@rm -rf .build/demo && mkdir -p .build/demo
	@./.build/release/netra batch --inbox Corpus/examples --store .build/demo/store.sqlite --report .build/demo/report
	@echo "== open .build/demo/report/report.html in a browser; findings.csv for spreadsheets =="

test: deps
	swift test

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/netra
	install -m 755 .build/release/netra $(DESTDIR)$(PREFIX)/bin/netra
	cp -R Lexicons $(DESTDIR)$(PREFIX)/share/netra/

clean:
	rm -rf .build

# The project's own compiled modules (not the dependencies): incremental builds have gone stale
# after a struct gained or lost stored properties (README, development). Build again after it.
clean-modules:
	rm -rf .build/*/{debug,release}/{Netra,CICU,CNetraBytes}*.build .build/*/{debug,release}/{netra,netra_bench,fuzz_normalizer,fuzz_readers}.build \
	  .build/*/{debug,release}/description.json
