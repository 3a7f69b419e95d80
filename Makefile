# Builds and installs libpi for C and C++ users:
#   make install PREFIX=/usr/local      (or DESTDIR=... for packaging)
# then: cc app.c $(pkg-config --cflags --libs pi)
# (static: cc app.c $(pkg-config --static --cflags --libs pi) with only libpi.a installed).

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
CARGO ?= cargo

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
# The SONAME pi-capi/build.rs gives libpi.so.
MAJOR := $(firstword $(subst ., ,$(VERSION)))

.PHONY: all install uninstall
# Always asks cargo, which rebuilds only what changed.
all:
	$(CARGO) build --release -p pi-capi
	$(CARGO) rustc --release -p pi-capi --crate-type staticlib -- --print native-static-libs 2>&1 | \
		sed -n 's/.*native-static-libs: //p' > target/release/native-static-libs

install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)
	install -m 644 target/release/libpi.a $(DESTDIR)$(LIBDIR)/libpi.a
	install -m 755 target/release/libpi.so $(DESTDIR)$(LIBDIR)/libpi.so.$(VERSION)
	ln -sf libpi.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libpi.so.$(MAJOR)
	ln -sf libpi.so.$(MAJOR) $(DESTDIR)$(LIBDIR)/libpi.so
	install -m 644 include/pi.h include/api.h $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' -e "s|@NATIVE_LIBS@|$$(cat target/release/native-static-libs)|" \
		pi.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/pi.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libpi.a $(DESTDIR)$(LIBDIR)/libpi.so $(DESTDIR)$(LIBDIR)/libpi.so.$(MAJOR) \
		$(DESTDIR)$(LIBDIR)/libpi.so.$(VERSION) $(DESTDIR)$(INCLUDEDIR)/pi.h $(DESTDIR)$(INCLUDEDIR)/api.h \
		$(DESTDIR)$(LIBDIR)/pkgconfig/pi.pc
