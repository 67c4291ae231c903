// Turns the exported SVG into a PNG (twice the size, for sharp documents).
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const width = Number(/width="(\d+)"/.exec(svg)?.[1] ?? 800);
  const height = Number(/height="(\d+)"/.exec(svg)?.[1] ?? 600);
  const img = new Image();
  img.decoding = "async";
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("This window cannot draw images.");
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0);
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error("Could not make the PNG."))),
      "image/png",
    ),
  );
}
