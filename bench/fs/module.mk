# bench/fs/: orionfs against fuse2fs (bench/fs/run.sh, called by bench/run.sh).
# run.sh compiles fsbench itself when FSBENCH is not set, so it also runs
# from a tree where only bin/ was built.
FSBENCH := $(O)/bench/fs/fsbench
$(FSBENCH): $(O)/bench/fs/fsbench.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
