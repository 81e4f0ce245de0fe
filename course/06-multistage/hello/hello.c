/* The program of ch06-ex4: linked statically, it needs no libc in the image. */
#include <stdio.h>

int main(void)
{
    puts("hello from scratch");
    return 0;
}
