/**
 * A small multilingual corpus for keeping the gateway's token estimate in step with a real tokenizer. Written for
 * this test (no downloads): everyday prose in each script the estimate distinguishes, code, and emoji.
 */
export const CORPUS: Record<string, string> = {
  english:
    "The gateway reserves credits for the worst case before it calls any upstream, then settles the real cost once the answer has been delivered. A stream that is cut off early is billed for what reached the client, and nothing more. Operators can read every usage event, with its route, model and latency, from the admin API.",
  french:
    "La passerelle réserve des crédits pour le pire des cas avant d'appeler un fournisseur, puis règle le coût réel une fois la réponse livrée. Un flux interrompu n'est facturé que pour ce qui a atteint le client.",
  german:
    "Das Gateway reserviert Guthaben für den ungünstigsten Fall, bevor es einen Anbieter aufruft, und rechnet danach die tatsächlichen Kosten ab. Ein abgebrochener Datenstrom wird nur für das berechnet, was beim Kunden ankam.",
  russian:
    "Шлюз резервирует кредиты на худший случай перед вызовом поставщика, а затем списывает реальную стоимость после доставки ответа. Прерванный поток оплачивается только за то, что дошло до клиента.",
  greek:
    "Η πύλη δεσμεύει πιστώσεις για τη χειρότερη περίπτωση πριν καλέσει έναν πάροχο και στη συνέχεια χρεώνει το πραγματικό κόστος μόλις παραδοθεί η απάντηση.",
  arabic:
    "تحجز البوابة الأرصدة لأسوأ الحالات قبل استدعاء أي مزود، ثم تسوي التكلفة الحقيقية بعد تسليم الإجابة. يتم احتساب البث المقطوع فقط على ما وصل إلى العميل.",
  hebrew: "השער שומר קרדיטים למקרה הגרוע ביותר לפני שהוא קורא לספק, ואז מחייב את העלות האמיתית לאחר שהתשובה נמסרה.",
  hindi:
    "गेटवे किसी भी प्रदाता को कॉल करने से पहले सबसे खराब स्थिति के लिए क्रेडिट आरक्षित करता है, फिर उत्तर दिए जाने के बाद वास्तविक लागत का निपटान करता है।",
  chinese:
    "网关在调用任何上游服务之前，会先为最坏的情况预留额度，然后在答案送达之后按实际用量结算。如果数据流被提前中断，只对已经送达客户端的内容计费。管理员可以通过管理接口查看每一条使用记录，包括路由、模型和延迟。",
  japanese:
    "ゲートウェイは、上流のサービスを呼び出す前に最悪の場合に備えてクレジットを確保し、回答が届いた後で実際の費用を精算します。途中で切れたストリームは、クライアントに届いた分だけが請求されます。管理者は管理用のAPIから、ルート、モデル、遅延を含むすべての利用記録を確認できます。",
  korean:
    "게이트웨이는 업스트림을 호출하기 전에 최악의 경우에 대비해 크레딧을 예약하고, 답변이 전달된 후 실제 비용을 정산합니다. 중간에 끊긴 스트림은 클라이언트에 도달한 부분만 청구됩니다.",
  thai: "เกตเวย์จะจองเครดิตสำหรับกรณีที่แย่ที่สุดก่อนเรียกผู้ให้บริการใดๆ จากนั้นจึงชำระค่าใช้จ่ายจริงเมื่อส่งคำตอบแล้ว สตรีมที่ถูกตัดกลางทางจะถูกเรียกเก็บเงินเฉพาะส่วนที่ไปถึงลูกค้าเท่านั้น",
  vietnamese:
    "Cổng giữ trước tín dụng cho trường hợp xấu nhất trước khi gọi bất kỳ nhà cung cấp nào, sau đó thanh toán chi phí thực tế khi câu trả lời đã được gửi.",
  emoji: "Great job 🎉🎉 the deploy worked 🚀✨ thanks team 🙏👍 see you tomorrow 😀😃😄 🇫🇷🇯🇵 👨‍👩‍👧‍👦 ❤️🔥",
  typescript: `export async function settle(ledger: Ledger, op: SettleOp): Promise<SettleResult> {
  const started = Date.now();
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    try {
      return await ledger.settle(op.req);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      await sleep(50 * 2 ** attempt);
    }
  }
  throw new Error(\`settle failed after \${Date.now() - started} ms\`);
}`,
  python: `def tokens_for(text: str, table: dict[str, float]) -> int:
    """Estimate the tokens of text from a per-script table."""
    total = 0.0
    for ch in text:
        total += table.get(script_of(ch), 1.0)
    return math.ceil(total)


if __name__ == "__main__":
    print(tokens_for(sys.stdin.read(), DEFAULT_TABLE))`,
  json: JSON.stringify({
    model: "small",
    messages: [{ role: "user", content: "What is the weather in Paris?" }],
    tools: [
      {
        type: "function",
        function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
      },
    ],
  }),
  mixed:
    "Release notes v2.3.1: 修复了流式计费的问题 (fixed streamed billing); ストリームの課金を修正しました. Thanks @dev-team 🙌 — see https://example.com/changelog#v2.3.1",
};
