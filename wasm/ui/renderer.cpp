#include "ui/renderer.hpp"

#include "texture_updates.hpp"
#include "ui/frame_damage.hpp"
#include "video_planes.hpp"

#include <GLES3/gl3.h>
#include <imgui.h>

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

// Draws every command of `d`, each clipped to its rectangle and to `limit`.
void draw_lists(const ImDrawData* d, int fb_h, const Rect& limit) {
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDisable(GL_CULL_FACE);
  glDisable(GL_DEPTH_TEST);
  glEnable(GL_SCISSOR_TEST);
  const float L = d->DisplayPos.x, R = d->DisplayPos.x + d->DisplaySize.x;
  const float T = d->DisplayPos.y, B = d->DisplayPos.y + d->DisplaySize.y;
  const float proj[16] = {2.0f / (R - L), 0, 0, 0, 0, 2.0f / (T - B), 0, 0, 0, 0, -1, 0,
                          (R + L) / (L - R), (T + B) / (B - T), 0, 1};
  bool yuv_projection_set = false;  // set on the YUV program when it is first used in this frame
  glUseProgram(g_program);
  glUniformMatrix4fv(g_proj, 1, GL_FALSE, proj);
  glUniform1i(g_tex, 0);
  glActiveTexture(GL_TEXTURE0);
  GLuint program = g_program;
  glBindVertexArray(g_vao);
  glBindBuffer(GL_ARRAY_BUFFER, g_vbo);

  const ImVec2 off = d->DisplayPos, scale = d->FramebufferScale;
  GLuint bound = 0;
  bool drawable = true;  // false while the bound texture is I420 video and the YUV program is missing
  for (int n = 0; n < d->CmdListsCount; ++n) {
    const ImDrawList* list = d->CmdLists[n];
    bool uploaded = false;  // this list's buffers, once one of its commands is inside `limit`
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) {
        cmd.UserCallback(list, &cmd);
        continue;
      }
      const float x0 = (cmd.ClipRect.x - off.x) * scale.x, y0 = (cmd.ClipRect.y - off.y) * scale.y;
      const float x1 = (cmd.ClipRect.z - off.x) * scale.x, y1 = (cmd.ClipRect.w - off.y) * scale.y;
      if (x1 <= x0 || y1 <= y0) continue;
      const Rect clip = Rect{static_cast<int>(x0), static_cast<int>(static_cast<float>(fb_h) - y1),
                                       static_cast<int>(x0) + static_cast<int>(x1 - x0),
                                       static_cast<int>(static_cast<float>(fb_h) - y1) + static_cast<int>(y1 - y0)}
                                 .cut(limit);
      if (clip.empty()) continue;
      if (!uploaded) {
        uploaded = true;
        glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(list->VtxBuffer.Size) * sizeof(ImDrawVert), list->VtxBuffer.Data,
                     GL_STREAM_DRAW);
        glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(list->IdxBuffer.Size) * sizeof(ImDrawIdx),
                     list->IdxBuffer.Data, GL_STREAM_DRAW);
      }
      glScissor(clip.x0, clip.y0, clip.x1 - clip.x0, clip.y1 - clip.y0);
      const auto tex = static_cast<GLuint>(reinterpret_cast<intptr_t>(cmd.GetTexID()));
      if (tex != bound) {
        const video_planes::Chroma* chroma = video_planes::find(tex);
        drawable = !chroma || yuv_program_ready();
        if (drawable) {
          const GLuint want = chroma ? g_yuv_program : g_program;
          if (want != program) glUseProgram(program = want);
          if (chroma) {
            if (!yuv_projection_set) {
              glUniformMatrix4fv(g_yuv_proj, 1, GL_FALSE, proj);
              yuv_projection_set = true;
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
        bound = tex;
      }
      if (!drawable) continue;
      // 16-bit indices cannot reach past 65535 vertices, so large lists come in VtxOffset slices:
      // WebGL2 has no base-vertex draw, so re-point the attributes at the slice.
      if (cmd.VtxOffset) {
        const auto base = static_cast<std::uintptr_t>(cmd.VtxOffset) * sizeof(ImDrawVert);
        const auto stride = static_cast<GLsizei>(sizeof(ImDrawVert));
        glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(base + offsetof(ImDrawVert, pos)));
        glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(base + offsetof(ImDrawVert, uv)));
        glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride, reinterpret_cast<void*>(base + offsetof(ImDrawVert, col)));
      }
      glDrawElements(GL_TRIANGLES, static_cast<GLsizei>(cmd.ElemCount), sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT,
                     reinterpret_cast<void*>(static_cast<std::uintptr_t>(cmd.IdxOffset) * sizeof(ImDrawIdx)));
      if (cmd.VtxOffset) {
        const auto stride = static_cast<GLsizei>(sizeof(ImDrawVert));
        glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, pos)));
        glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, uv)));
        glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, col)));
      }
    }
  }
  glBindVertexArray(0);
}

void clear(const Rect& r) {
  glEnable(GL_SCISSOR_TEST);
  glScissor(r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
  glClearColor(17 / 255.0f, 19 / 255.0f, 24 / 255.0f, 1);
  glClear(GL_COLOR_BUFFER_BIT);
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
  for (const Rect& r : damage) {
    clear(r);
    if (d->CmdListsCount > 0) draw_lists(d, fb_h, r);
  }
}

}  // namespace moim::ui
