#include "ui/renderer.hpp"

#include "texture_updates.hpp"
#include "ui/frame_damage.hpp"
#include "video_planes.hpp"

#include <GLES3/gl3.h>
#include <imgui.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace moim::ui {

namespace {
GLuint g_program = 0, g_vao = 0, g_vbo = 0, g_ebo = 0, g_font = 0;
GLint g_proj = -1, g_tex = -1;
// Video kept as I420 planes (video_planes): converted to RGB here, on the GPU, instead of per frame
// on the CPU.
GLuint g_yuv_program = 0;
GLint g_yuv_proj = -1, g_yuv_range = -1, g_yuv_coeff = -1;

constexpr const char* kVertex = R"(#version 300 es
precision highp float;
layout (location = 0) in vec2 Position;
layout (location = 1) in vec2 UV;
layout (location = 2) in vec4 Color;
uniform mat4 ProjMtx;
out vec2 Frag_UV;
out vec4 Frag_Color;
void main() {
  Frag_UV = UV;
  Frag_Color = Color;
  gl_Position = ProjMtx * vec4(Position.xy, 0, 1);
})";

constexpr const char* kFragment = R"(#version 300 es
precision mediump float;
uniform sampler2D Texture;
in vec2 Frag_UV;
in vec4 Frag_Color;
layout (location = 0) out vec4 Out_Color;
void main() {
  Out_Color = Frag_Color * texture(Texture, Frag_UV.st);
})";

// YUV -> RGB: Range = (scale, offset) of Y; Coeff = (V->R, U->G, V->G, U->B), per video_planes::Matrix.
constexpr const char* kYuvFragment = R"(#version 300 es
precision mediump float;
uniform sampler2D PlaneY;
uniform sampler2D PlaneU;
uniform sampler2D PlaneV;
uniform vec2 Range;
uniform vec4 Coeff;
in vec2 Frag_UV;
in vec4 Frag_Color;
layout (location = 0) out vec4 Out_Color;
void main() {
  float y = Range.x * (texture(PlaneY, Frag_UV).r - Range.y);
  float u = texture(PlaneU, Frag_UV).r - 0.5;
  float v = texture(PlaneV, Frag_UV).r - 0.5;
  Out_Color = Frag_Color * vec4(y + Coeff.x * v, y - Coeff.y * u - Coeff.z * v, y + Coeff.w * u, 1.0);
})";
struct YuvCoefficients {
  float range[2], coeff[4];
};
// Indexed by video_planes::Matrix.
constexpr YuvCoefficients kYuv[4] = {
    {{1.1644f, 16 / 255.0f}, {1.5960f, 0.3918f, 0.8130f, 2.0172f}},  // BT.601 limited
    {{1.0f, 0.0f}, {1.4020f, 0.3441f, 0.7141f, 1.7720f}},            // BT.601 full
    {{1.1644f, 16 / 255.0f}, {1.7927f, 0.2132f, 0.5329f, 2.1124f}},  // BT.709 limited
    {{1.0f, 0.0f}, {1.5748f, 0.1873f, 0.4681f, 1.8556f}},            // BT.709 full
};

GLuint compile(GLenum type, const char* src) {
  const GLuint s = glCreateShader(type);
  glShaderSource(s, 1, &src, nullptr);
  glCompileShader(s);
  GLint ok = 0;
  glGetShaderiv(s, GL_COMPILE_STATUS, &ok);  // once, at start-up
  if (!ok) {
    char log[512];
    glGetShaderInfoLog(s, sizeof log, nullptr, log);
    std::printf("moim renderer: shader failed: %s\n", log);
  }
  return s;
}
GLuint link(const char* vertex, const char* fragment) {
  const GLuint vs = compile(GL_VERTEX_SHADER, vertex), fs = compile(GL_FRAGMENT_SHADER, fragment);
  const GLuint program = glCreateProgram();
  glAttachShader(program, vs);
  glAttachShader(program, fs);
  glLinkProgram(program);
  GLint ok = 0;
  glGetProgramiv(program, GL_LINK_STATUS, &ok);  // once per program (start-up, first video)
  glDeleteShader(vs);
  glDeleteShader(fs);
  if (ok) return program;
  glDeleteProgram(program);
  return 0;
}

// Linked when the first I420 video is drawn, not at start-up: compiling a program is not free, and
// the first frame of the page has none. Not linking is reported once; such video is then skipped.
bool yuv_program_ready() {
  static bool tried = false;
  if (tried) return g_yuv_program != 0;
  tried = true;
  g_yuv_program = link(kVertex, kYuvFragment);
  if (!g_yuv_program) {
    std::printf("moim renderer: the YUV program did not link; I420 video is not drawn\n");
    return false;
  }
  g_yuv_proj = glGetUniformLocation(g_yuv_program, "ProjMtx");
  g_yuv_range = glGetUniformLocation(g_yuv_program, "Range");
  g_yuv_coeff = glGetUniformLocation(g_yuv_program, "Coeff");
  glUseProgram(g_yuv_program);  // the planes' texture units never change
  glUniform1i(glGetUniformLocation(g_yuv_program, "PlaneY"), 0);
  glUniform1i(glGetUniformLocation(g_yuv_program, "PlaneU"), 1);
  glUniform1i(glGetUniformLocation(g_yuv_program, "PlaneV"), 2);
  return true;
}
}  // namespace

bool renderer_init() {
  g_program = link(kVertex, kFragment);
  if (!g_program) return false;
  g_proj = glGetUniformLocation(g_program, "ProjMtx");
  g_tex = glGetUniformLocation(g_program, "Texture");

  glGenVertexArrays(1, &g_vao);
  glGenBuffers(1, &g_vbo);
  glGenBuffers(1, &g_ebo);
  glBindVertexArray(g_vao);
  glBindBuffer(GL_ARRAY_BUFFER, g_vbo);
  glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, g_ebo);  // recorded in the VAO
  glEnableVertexAttribArray(0);
  glEnableVertexAttribArray(1);
  glEnableVertexAttribArray(2);
  const auto stride = static_cast<GLsizei>(sizeof(ImDrawVert));
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, pos)));
  glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, uv)));
  glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, col)));
  glBindVertexArray(0);

  ImGui::GetIO().BackendRendererName = "moim_webgl2";
  ImGui::GetIO().BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
  return true;
}

void renderer_rebuild_font_texture() {
  ImGuiIO& io = ImGui::GetIO();
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  if (!g_font) glGenTextures(1, &g_font);
  glBindTexture(GL_TEXTURE_2D, g_font);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
  io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(g_font)));
  io.Fonts->ClearTexData();  // the GPU has it; free the CPU copy
  frame_damage::forget();  // the same draw lists now show other glyphs: draw all of the next frame
}

namespace {

using frame_damage::Rect;

// The frame's vertices and indices, every list that shows inside the damage one after another: sent
// to the GPU once per frame, however many rectangles are redrawn.
std::vector<ImDrawVert> g_vertices;
std::vector<ImDrawIdx> g_indices;
struct ListSlice {
  std::size_t vtx = 0, idx = 0;  // where the list's vertices and indices begin in g_vertices, g_indices
  bool uploaded = false;         // false: none of its commands touches the damage
};
std::vector<ListSlice> g_slices;

// A command's clip rectangle in framebuffer pixels (frame_damage's rounding: the damage and the
// scissor agree to the pixel).
Rect clip_of(const ImDrawCmd& cmd, const ImDrawData* d, int fb_h) {
  if (cmd.ClipRect.z <= cmd.ClipRect.x || cmd.ClipRect.w <= cmd.ClipRect.y) return {};  // clips everything
  return frame_damage::to_pixels(cmd.ClipRect.x, cmd.ClipRect.y, cmd.ClipRect.z, cmd.ClipRect.w, d, fb_h);
}

// Uploads the lists that have a command inside some damage rectangle.
void upload(const ImDrawData* d, int fb_h, const std::vector<Rect>& damage) {
  g_vertices.clear();
  g_indices.clear();
  g_slices.assign(static_cast<std::size_t>(d->CmdListsCount), {});
  for (int n = 0; n < d->CmdListsCount; ++n) {
    const ImDrawList* list = d->CmdLists[n];
    bool inside = false;
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) continue;
      const Rect clip = clip_of(cmd, d, fb_h);
      for (const Rect& r : damage) inside = inside || !clip.cut(r).empty();
      if (inside) break;
    }
    if (!inside) continue;
    g_slices[static_cast<std::size_t>(n)] = {g_vertices.size(), g_indices.size(), true};
    g_vertices.insert(g_vertices.end(), list->VtxBuffer.Data, list->VtxBuffer.Data + list->VtxBuffer.Size);
    g_indices.insert(g_indices.end(), list->IdxBuffer.Data, list->IdxBuffer.Data + list->IdxBuffer.Size);
  }
  if (g_vertices.empty()) return;
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(g_vertices.size() * sizeof(ImDrawVert)), g_vertices.data(), GL_STREAM_DRAW);
  glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(g_indices.size() * sizeof(ImDrawIdx)), g_indices.data(),
               GL_STREAM_DRAW);
}

// The attributes read vertices from `first` on (16-bit indices count from a list's start, or from its
// VtxOffset slice past 65535 vertices; WebGL2 has no base-vertex draw).
void point_attributes(std::size_t first) {
  const auto base = first * sizeof(ImDrawVert);
  const auto stride = static_cast<GLsizei>(sizeof(ImDrawVert));
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(base + offsetof(ImDrawVert, pos)));
  glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(base + offsetof(ImDrawVert, uv)));
  glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride, reinterpret_cast<void*>(base + offsetof(ImDrawVert, col)));
}

// What stays the same for every rectangle of a frame: blending, the programs' projection, the
// bound textures and program (kept across rectangles, rebound only when a command's texture differs).
struct DrawState {
  float proj[16];
  bool yuv_projection_set = false;  // set on the YUV program when it is first used in this frame
  GLuint program = 0, bound = 0;
  bool drawable = true;  // false while the bound texture is I420 video and the YUV program is missing
  std::size_t attributes_at = SIZE_MAX;  // the vertex the attributes point at
};

DrawState begin_frame(const ImDrawData* d) {
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDisable(GL_CULL_FACE);
  glDisable(GL_DEPTH_TEST);
  glEnable(GL_SCISSOR_TEST);
  glClearColor(17 / 255.0f, 19 / 255.0f, 24 / 255.0f, 1);
  DrawState st;
  const float L = d->DisplayPos.x, R = d->DisplayPos.x + d->DisplaySize.x;
  const float T = d->DisplayPos.y, B = d->DisplayPos.y + d->DisplaySize.y;
  const float proj[16] = {2.0f / (R - L), 0, 0, 0, 0, 2.0f / (T - B), 0, 0, 0, 0, -1, 0,
                          (R + L) / (L - R), (T + B) / (B - T), 0, 1};
  std::copy(proj, proj + 16, st.proj);
  glUseProgram(st.program = g_program);
  glUniformMatrix4fv(g_proj, 1, GL_FALSE, st.proj);
  glUniform1i(g_tex, 0);
  glActiveTexture(GL_TEXTURE0);
  glBindVertexArray(g_vao);
  glBindBuffer(GL_ARRAY_BUFFER, g_vbo);
  return st;
}

// Binds `tex` (and its chroma planes and the YUV program when it is I420 video).
void bind_texture(DrawState& st, GLuint tex) {
  const video_planes::Chroma* chroma = video_planes::find(tex);
  st.drawable = !chroma || yuv_program_ready();
  st.bound = tex;
  if (!st.drawable) return;
  const GLuint want = chroma ? g_yuv_program : g_program;
  if (want != st.program) glUseProgram(st.program = want);
  if (chroma) {
    if (!st.yuv_projection_set) {
      glUniformMatrix4fv(g_yuv_proj, 1, GL_FALSE, st.proj);
      st.yuv_projection_set = true;
    }
    const YuvCoefficients& k = kYuv[static_cast<int>(chroma->matrix) & 3];
    glUniform2fv(g_yuv_range, 1, k.range);
    glUniform4fv(g_yuv_coeff, 1, k.coeff);
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, chroma->u);
    glActiveTexture(GL_TEXTURE2);
    glBindTexture(GL_TEXTURE_2D, chroma->v);
    glActiveTexture(GL_TEXTURE0);
  }
  glBindTexture(GL_TEXTURE_2D, tex);
}

// Clears `limit` and draws every uploaded command inside it, each clipped to its rectangle too.
void draw_rect(const ImDrawData* d, int fb_h, const Rect& limit, DrawState& st) {
  glScissor(limit.x0, limit.y0, limit.x1 - limit.x0, limit.y1 - limit.y0);
  glClear(GL_COLOR_BUFFER_BIT);
  for (int n = 0; n < d->CmdListsCount; ++n) {
    const ImDrawList* list = d->CmdLists[n];
    const ListSlice& slice = g_slices[static_cast<std::size_t>(n)];
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) {
        cmd.UserCallback(list, &cmd);
        continue;
      }
      if (!slice.uploaded) continue;
      const Rect clip = clip_of(cmd, d, fb_h).cut(limit);
      if (clip.empty()) continue;
      const auto tex = static_cast<GLuint>(reinterpret_cast<intptr_t>(cmd.GetTexID()));
      if (tex != st.bound) bind_texture(st, tex);
      if (!st.drawable) continue;
      glScissor(clip.x0, clip.y0, clip.x1 - clip.x0, clip.y1 - clip.y0);
      if (const std::size_t at = slice.vtx + cmd.VtxOffset; at != st.attributes_at) point_attributes(st.attributes_at = at);
      glDrawElements(GL_TRIANGLES, static_cast<GLsizei>(cmd.ElemCount), sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT,
                     reinterpret_cast<void*>((slice.idx + cmd.IdxOffset) * sizeof(ImDrawIdx)));
    }
  }
}

}  // namespace

void renderer_draw(const ImDrawData* d, int fb_w, int fb_h) {
  if (!d || fb_w <= 0 || fb_h <= 0) return;
  // Software GL (SwiftShader, or no GPU at all) pays for every pixel drawn, and without a GPU the
  // page's main thread waits for each frame to be read back: redraw only what changed
  // (frame_damage.hpp). The canvas keeps its pixels between frames (preserveDrawingBuffer, main.cpp).
  const std::vector<Rect> damage = frame_damage::diff(d, fb_w, fb_h, texture_updates::contains);
  texture_updates::clear();
  if (damage.empty()) return;  // nothing on screen changed: no drawing, no new canvas frame
  glViewport(0, 0, fb_w, fb_h);
  // State and draw data once per frame; per damage rectangle only the scissor, the clear and the draws.
  DrawState st = begin_frame(d);
  upload(d, fb_h, damage);
  for (const Rect& r : damage) draw_rect(d, fb_h, r, st);
  glBindVertexArray(0);
}

}  // namespace moim::ui
