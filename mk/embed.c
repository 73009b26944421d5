/* Build tool: turns a file into a C string constant, so shipped defaults (the policy) are part
 * of the binary.  usage: embed NAME INPUT OUTPUT */
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: embed NAME INPUT OUTPUT\n");
        return 2;
    }
    FILE *in = fopen(argv[2], "rb"), *out = fopen(argv[3], "w");
    if (!in || !out) {
        perror("embed");
        return 1;
    }
    fprintf(out, "/* Generated from %s; do not edit. */\nconst char %s[] = {\n", argv[2], argv[1]);
    int c, col = 0;
    while ((c = fgetc(in)) != EOF) {
        fprintf(out, "%d,", c);
        if (++col % 24 == 0)
            fputc('\n', out);
    }
    fprintf(out, "0};\n");
    return fclose(out) == 0 && !ferror(in) ? 0 : 1;
}
