// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main() for a libFuzzer harness without libFuzzer: feed it each file
 * named, and each file of each directory named, once, in name order. It
 * prints one line per input and a summary; a crash of the harness is a
 * crash of the program (AddressSanitizer, an assert).
 */

#include <zebra.h>

#include <dirent.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned int replayed;

static void replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		exit(2);
	}
	rewind(f);
	buf = malloc(len ? len : 1);
	if (!buf || fread(buf, 1, len, f) != (size_t)len) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	printf("replay: %s (%ld octets)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	replayed++;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void replay_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	int n, i;

	if (stat(path, &st)) {
		fprintf(stderr, "replay: no %s\n", path);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	n = scandir(path, &names, NULL, name_cmp);
	for (i = 0; i < n; i++) {
		char sub[PATH_MAX];

		if (names[i]->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
			replay_path(sub);
		}
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int i;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++)
		replay_path(argv[i]);
	printf("replay: %u inputs, no crash\n", replayed);
	return 0;
}
