-- The demo shop's catalog. Prices in integer fen. Re-running is harmless.
INSERT INTO "products" ("sku", "title", "description", "price_fen", "sort_order") VALUES
  ('TEA-LONGJING', '西湖龙井 50g', '明前特级，清香回甘', 12800, 1),
  ('TEA-PUER', '云南普洱熟茶饼 357g', '勐海陈韵，醇厚顺滑', 26800, 2),
  ('CUP-CELADON', '龙泉青瓷品茗杯', '手工拉坯，釉色温润', 5900, 3),
  ('SNACK-MOONCAKE', '广式蛋黄莲蓉月饼 4枚', '传统工艺，限时供应', 8800, 4),
  ('TEST-1FEN', '测试商品（1分钱）', '用于联调支付流程', 1, 99)
ON CONFLICT ("sku") DO NOTHING;
