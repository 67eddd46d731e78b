// Rasterizes printable ASCII of a monospaced TrueType font into 1-bit rows (src/studies/font.cpp).
// Build: cc scripts/gen-font.c $(pkg-config --cflags --libs freetype2) -o gen-font
// Run:   ./gen-font /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf 13
#include <ft2build.h>
#include FT_FREETYPE_H
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char** argv) {
  const char* path = argv[1]; int px = atoi(argv[2]);
  FT_Library lib; FT_Face face;
  if (FT_Init_FreeType(&lib) || FT_New_Face(lib, path, 0, &face)) return 1;
  FT_Set_Pixel_Sizes(face, 0, px);
  int asc = face->size->metrics.ascender >> 6, desc = -(face->size->metrics.descender >> 6);
  int adv = face->size->metrics.max_advance >> 6;
  int h = asc + desc;
  fprintf(stderr, "asc %d desc %d adv %d\n", asc, desc, adv);
  printf("// cell %d x %d, baseline at row %d\n", adv, h, asc);
  for (int c = 32; c < 127; ++c) {
    FT_Load_Char(face, c, FT_LOAD_RENDER | FT_LOAD_TARGET_MONO | FT_LOAD_MONOCHROME);
    FT_GlyphSlot g = face->glyph;
    unsigned rows[64] = {0};
    for (int y = 0; y < (int)g->bitmap.rows; ++y)
      for (int x = 0; x < (int)g->bitmap.width; ++x) {
        int on = (g->bitmap.buffer[y * g->bitmap.pitch + x / 8] >> (7 - x % 8)) & 1;
        int cx = g->bitmap_left + x, cy = asc - g->bitmap_top + y;
        if (on && cx >= 0 && cx < adv && cy >= 0 && cy < h) rows[cy] |= 1u << cx;
      }
    printf("    {");
    for (int y = 0; y < h; ++y) printf("0x%02x%s", rows[y], y + 1 < h ? ", " : "");
    printf("},  // '%s%c'\n", (c == '\\' || c == '\'') ? "\\" : "", c);
  }
  return 0;
}
